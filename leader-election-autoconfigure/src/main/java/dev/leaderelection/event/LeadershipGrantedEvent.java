package dev.leaderelection.event;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.Leadership;

/** This instance became leader. Start the work that only the leader may do. */
public class LeadershipGrantedEvent extends LeadershipEvent {

    public LeadershipGrantedEvent(LeaderElector source, Leadership leadership) {
        super(source, leadership);
    }

    @Override
    public String toString() {
        return "LeadershipGrantedEvent[election=" + election() + ", instance=" + instanceId() + ", fencingToken="
                + fencingToken() + "]";
    }
}
