package dev.leaderelection.testing.redis;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A {@code redis:7} container without persistence, or a container of another server that speaks the
 * Redis protocol on port 6379 ({@link #of}: Valkey, DragonFly). Its port 6379 is bound to a fixed
 * host port, so a restarted container keeps the port. Pause and resume use {@code docker pause} and
 * {@code docker unpause}.
 */
public final class ContainerRedisServer implements RedisServer {

    private static final DockerImageName IMAGE = DockerImageName.parse("redis:7");
    private static final int REDIS_PORT = 6379;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final int port = LocalPorts.findFree();
    private final GenericContainer<?> container;
    private boolean paused;

    /** A {@code redis:7} container. */
    public ContainerRedisServer() {
        this(IMAGE, new String[] {"redis-server", "--save", "", "--appendonly", "no"});
    }

    private ContainerRedisServer(DockerImageName image, String[] command) {
        GenericContainer<?> created = new GenericContainer<>(image)
                .withExposedPorts(REDIS_PORT)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withPortBindings(new PortBinding(
                                Ports.Binding.bindIpAndPort(LocalPorts.HOST, port), ExposedPort.tcp(REDIS_PORT))))
                .waitingFor(Wait.forListeningPort());
        container = command.length > 0 ? created.withCommand(command) : created;
    }

    /**
     * A container of {@code image} that serves the Redis protocol on port 6379, started with {@code
     * command} (none: the image's own), such as {@code valkey/valkey:8.1} with {@code valkey-server
     * --save "" --appendonly no}. {@link #start()} pulls the image when Docker lacks it.
     */
    public static ContainerRedisServer of(String image, String... command) {
        return new ContainerRedisServer(DockerImageName.parse(image), command);
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        String id = container.getContainerId();
        if (id == null) {
            container.start();
        } else {
            docker().startContainerCmd(id).exec();
        }
        paused = false;
        Polling.await(
                TIMEOUT,
                () -> Resp.answersPing(port),
                () -> "Redis container " + container.getContainerId() + " did not answer PING on port " + port
                        + " within " + TIMEOUT + "; logs:\n" + container.getLogs());
    }

    @Override
    public synchronized void kill() {
        if (!isRunning()) {
            return;
        }
        resume();
        String id = container.getContainerId();
        docker().killContainerCmd(id).withSignal("KILL").exec();
        docker().waitContainerCmd(id).start().awaitStatusCode(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void pause() {
        if (!paused) {
            docker().pauseContainerCmd(requireId()).exec();
            paused = true;
        }
    }

    @Override
    public synchronized void resume() {
        if (paused) {
            docker().unpauseContainerCmd(requireId()).exec();
            paused = false;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        String id = container.getContainerId();
        return id != null
                && Boolean.TRUE.equals(
                        docker().inspectContainerCmd(id).exec().getState().getRunning());
    }

    @Override
    public synchronized void close() {
        if (isRunning()) {
            resume();
        }
        container.stop();
    }

    @Override
    public String toString() {
        return "Redis container " + container.getContainerId() + " on port " + port;
    }

    private String requireId() {
        String id = container.getContainerId();
        if (id == null) {
            throw new IllegalStateException("Redis container is not started");
        }
        return id;
    }

    private static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }
}
