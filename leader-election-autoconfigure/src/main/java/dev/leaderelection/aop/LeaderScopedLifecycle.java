package dev.leaderelection.aop;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.Leadership;
import dev.leaderelection.LeadershipListener;
import dev.leaderelection.RevocationReason;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts one {@link dev.leaderelection.annotation.LeaderLifecycle} bean on each grant and stops it
 * on each revocation, on a thread of its own. While it runs, the bean holds a guarded call of its
 * election open ({@link LeaderElector#tryEnterGuarded()} on the grant, {@link
 * LeaderElector#exitGuarded()} once it stopped): a step-down thus waits for the stop before it
 * releases the lease, at most until the term's local deadline, exactly as it waits for {@code
 * @LeaderOnly} calls in flight.
 */
final class LeaderScopedLifecycle implements LeadershipListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaderScopedLifecycle.class);

    private final String beanName;
    private final SmartLifecycle bean;
    private final LeaderElector elector;
    private final ExecutorService thread;

    // Confined to the election thread (listener calls), and to attach() before the elector starts.
    private boolean holding;

    LeaderScopedLifecycle(String beanName, SmartLifecycle bean, LeaderElector elector) {
        this.beanName = beanName;
        this.bean = bean;
        this.elector = elector;
        this.thread = Executors.newSingleThreadExecutor(task -> {
            Thread started = new Thread(task, "leader-lifecycle-" + beanName);
            started.setDaemon(true);
            return started;
        });
    }

    /** Listens to the elector; starts the bean at once if this instance already leads. */
    void attach() {
        elector.addListener(this);
        if (elector.isLeader()) {
            log.warn(
                    "Bean '{}' joins election '{}' while this instance leads; it starts now and stops with the term",
                    beanName,
                    elector.election());
            startOnGrant();
        }
    }

    @Override
    public void granted(Leadership leadership) {
        startOnGrant();
    }

    @Override
    public void revoked(Leadership leadership, RevocationReason reason) {
        if (!holding) {
            return;
        }
        holding = false;
        thread.execute(() -> {
            try {
                if (bean.isRunning()) {
                    bean.stop();
                    log.info(
                            "Stopped '{}': leadership of election '{}' ended ({})",
                            beanName,
                            leadership.election(),
                            reason);
                }
            } catch (Throwable ex) { // Errors too: the guarded call must be closed
                log.warn("Bean '{}' failed to stop on revocation", beanName, ex);
            } finally {
                elector.exitGuarded();
            }
        });
    }

    private void startOnGrant() {
        if (holding || !elector.tryEnterGuarded()) {
            return;
        }
        holding = true;
        thread.execute(() -> {
            try {
                if (!bean.isRunning()) {
                    bean.start();
                    log.info("Started '{}': this instance leads election '{}'", beanName, elector.election());
                }
            } catch (Throwable ex) {
                log.error("Bean '{}' failed to start on leadership of election '{}'", beanName, elector.election(), ex);
            }
        });
    }

    @Override
    public void close() {
        elector.removeListener(this);
        thread.shutdown();
    }
}
