package dev.leaderelection.testing.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Forwards every connection made to {@link #port()} to a server on the loopback address. A test can
 * add latency, hold back the bytes of one or both directions (a network cut: nothing is lost, it
 * arrives late once {@link #heal() healed}), and reset every connection. Connections made while
 * the traffic is held are accepted, as a kernel would, but carry nothing.
 *
 * <p>It can also stand for one address of a Redis that fails over: {@link #retarget} moves it to
 * another server either as a DNS or virtual IP move does (the clients' connections are reset and
 * they reconnect) or as a managed Redis proxy does (the clients' connections stay open and only the
 * server side is reconnected; see {@link #keepClients}).
 */
public final class TcpProxy implements AutoCloseable {

    private volatile int targetPort;
    private volatile boolean keepClients;
    private final ServerSocket server;
    private final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Direction> held = EnumSet.noneOf(Direction.class);
    private Duration latency = Duration.ZERO;

    /** Starts forwarding a free loopback port to {@code targetPort} on the loopback address. */
    public TcpProxy(int targetPort) {
        this.targetPort = targetPort;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot listen on the loopback address", ex);
        }
        Thread acceptor = new Thread(this::acceptAll, "tcp-proxy-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port to connect to instead of the server's. */
    public int port() {
        return server.getLocalPort();
    }

    /** Delays every chunk of bytes by {@code delay} in both directions, from now on. */
    public synchronized void latency(Duration delay) {
        latency = delay;
        notifyAll();
    }

    /** Holds back the bytes of {@code directions} until {@link #heal()}; the rest flows on. */
    public synchronized void hold(Direction... directions) {
        held.addAll(Set.of(directions));
        notifyAll();
    }

    /** Lets held bytes through, late but in order, and removes the latency. */
    public synchronized void heal() {
        held.clear();
        latency = Duration.ZERO;
        notifyAll();
    }

    /**
     * Forwards to {@code port} from now on. With {@code resetClients} every open connection is reset,
     * as when a DNS name or a virtual IP moves: clients reconnect, to the new server. Without it every
     * open connection stays open on the client side and its server side is reconnected to {@code
     * port}, as a managed Redis proxy does: requests that the old server left unanswered get an error
     * reply, later ones go to the new server. The new server side starts afresh: no {@code HELLO}
     * or {@code SELECT} is replayed (a RESP3 client gets RESP2 replies, which it reads alike), and a
     * connection that cannot move cleanly is reset instead: one with subscriptions (the client
     * subscribes again when it reconnects), one that is not Redis traffic, or one with a request or
     * reply cut in the middle.
     */
    public void retarget(int port, boolean resetClients) {
        targetPort = port;
        if (resetClients) {
            resetConnections();
            return;
        }
        for (ProxiedConnection connection : connections) {
            try {
                connection.moveTo(connect(port));
            } catch (IOException ex) {
                connection.close(); // the new server is not there: reset, as the proxy could not move it
            }
        }
    }

    /**
     * Whether a connection whose server side closes (the server died) stays open on the client side,
     * its requests waiting for the next {@link #retarget retarget} (as a managed Redis proxy keeps its
     * clients while a replica is promoted), rather than being reset as a plain forwarder does (the
     * default). Requests the dead server left unanswered get an error reply.
     */
    public void keepClients(boolean keep) {
        keepClients = keep;
    }

    boolean keepsClients() {
        return keepClients;
    }

    /** The port connections are forwarded to. */
    public int targetPort() {
        return targetPort;
    }

    /** Resets every open connection (the bytes held back are lost); new connections work as configured. */
    public void resetConnections() {
        connections.forEach(ProxiedConnection::close);
        synchronized (this) {
            notifyAll(); // writers waiting for passage find their connection closed
        }
    }

    /** Connections open right now. */
    public int openConnections() {
        return connections.size();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        resetConnections();
    }

    /**
     * Waits until bytes read at {@code readAtNanos} may go on in {@code direction}: once the latency
     * has passed and while the direction is not held. Returns early if {@code abandoned} turns true.
     */
    synchronized void awaitPassage(Direction direction, long readAtNanos, BooleanSupplier abandoned)
            throws InterruptedException {
        while (!abandoned.getAsBoolean()) {
            long due = readAtNanos + latency.toNanos() - System.nanoTime();
            if (!held.contains(direction) && due <= 0) {
                return;
            }
            long waitMillis = held.contains(direction) ? 0 : Math.max(1, due / 1_000_000);
            wait(waitMillis);
        }
    }

    void closed(ProxiedConnection connection) {
        connections.remove(connection);
    }

    private void acceptAll() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException ex) {
                return; // closed
            }
            try {
                Socket upstream = connect(targetPort);
                ProxiedConnection connection = new ProxiedConnection(this, client);
                connections.add(connection);
                connection.start(upstream);
            } catch (IOException ex) {
                closeQuietly(client); // the server is down: refuse, as it would
            }
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return socket;
        } catch (IOException ex) {
            closeQuietly(socket);
            throw ex;
        }
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
