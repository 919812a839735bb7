package dev.leaderelection.autoconfigure;

import dev.leaderelection.event.LeaderChangedEvent;
import dev.leaderelection.event.LeadershipEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.SimpleApplicationEventMulticaster;

/**
 * The context's event multicaster, unchanged for every event but the leadership events (and
 * {@link LeaderChangedEvent}): each of
 * their listeners hears them in isolation, so one that throws (an {@link Error} included) is logged
 * and the listeners after it still hear the event. Spring's default multicaster would stop at the
 * first failure, and a gateway listening after a failing listener would never close its session.
 */
class LeadershipEventMulticaster extends SimpleApplicationEventMulticaster {

    private static final Logger log = LoggerFactory.getLogger(LeadershipEventMulticaster.class);

    LeadershipEventMulticaster(BeanFactory beanFactory) {
        super(beanFactory);
    }

    @Override
    protected void invokeListener(ApplicationListener<?> listener, ApplicationEvent event) {
        if (!(event instanceof LeadershipEvent || event instanceof LeaderChangedEvent)) {
            super.invokeListener(listener, event);
            return;
        }
        try {
            super.invokeListener(listener, event);
        } catch (Throwable ex) { // Errors too: the other listeners must still hear the transition
            log.warn(
                    "Listener {} failed on {}; the other listeners still hear it",
                    listener,
                    event.getClass().getSimpleName(),
                    ex);
        }
    }
}
