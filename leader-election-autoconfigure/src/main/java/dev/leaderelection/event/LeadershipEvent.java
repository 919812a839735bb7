package dev.leaderelection.event;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.Leadership;
import org.springframework.context.ApplicationEvent;

/** A leadership transition of this instance; the source is the {@link LeaderElector}. */
public abstract class LeadershipEvent extends ApplicationEvent {

    private final Leadership leadership;

    protected LeadershipEvent(LeaderElector source, Leadership leadership) {
        super(source);
        this.leadership = leadership;
    }

    /** The term that began or ended. */
    public Leadership leadership() {
        return leadership;
    }

    /** The election name. */
    public String election() {
        return leadership.election();
    }

    /** This instance's id. */
    public String instanceId() {
        return leadership.instanceId();
    }

    /** The fencing token of the term. */
    public long fencingToken() {
        return leadership.fencingToken();
    }

    /** The elector that published the event. */
    public LeaderElector elector() {
        return (LeaderElector) getSource();
    }
}
