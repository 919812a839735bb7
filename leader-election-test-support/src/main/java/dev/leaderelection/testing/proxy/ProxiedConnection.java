package dev.leaderelection.testing.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One connection through a {@link TcpProxy}: per direction, a reader queues chunks with the time
 * they arrived and a writer passes them on when the proxy lets them. The client side lives as long
 * as the connection; the server side ({@link Backend}) can be replaced by {@link #moveTo(Socket)},
 * and both directions are followed as Redis traffic ({@link RespStream}) so that a move knows which
 * requests the old server left unanswered.
 */
final class ProxiedConnection {

    private record Chunk(
            byte[] bytes, long readAtNanos, @Nullable Backend endOf) {

        boolean isEnd() {
            return endOf != null;
        }
    }

    /** The server side: its socket, its reader, and what went to it and came back. */
    private final class Backend {

        private final Socket socket;
        private final RespStream requests = new RespStream();
        private final RespStream replies = new RespStream();
        private final Thread reader;
        private volatile boolean movedAway;

        Backend(Socket socket) throws IOException {
            this.socket = socket;
            InputStream in = socket.getInputStream();
            reader = thread("DOWNSTREAM-reader", () -> read(in, downstream, this));
        }
    }

    /** Ends a writer: the client went away, or the connection closed. */
    private static final Chunk STOP = new Chunk(new byte[0], 0, null);

    private static final int BUFFER_SIZE = 16 * 1024;
    private static final byte[] LOST_REPLY =
            "-ERR proxy: the server failed before it answered\r\n".getBytes(StandardCharsets.US_ASCII);

    private final TcpProxy proxy;
    private final Socket client;
    private final BlockingQueue<Chunk> upstream = new LinkedBlockingQueue<>();
    private final BlockingQueue<Chunk> downstream = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final RespStream clientRequests = new RespStream();
    private @Nullable Backend backend; // null while the server side is lost: requests wait

    ProxiedConnection(TcpProxy proxy, Socket client) {
        this.proxy = proxy;
        this.client = client;
    }

    void start(Socket server) throws IOException {
        InputStream fromClient = client.getInputStream();
        attach(server);
        daemon("UPSTREAM-reader", () -> read(fromClient, upstream, null));
        daemon("UPSTREAM-writer", this::writeUpstream);
        daemon("DOWNSTREAM-writer", this::writeDownstream);
    }

    /**
     * Replaces the server side by {@code server}, or resets the connection where that cannot be done
     * cleanly: traffic that is not Redis, a subscriber (its subscriptions stay with the old server),
     * or a request or reply cut in the middle. Requests the old server left unanswered get an error
     * reply, as a managed Redis proxy sends; requests sent from now on go to {@code server}.
     */
    void moveTo(Socket server) {
        Backend old;
        synchronized (this) {
            old = backend;
            backend = null;
        }
        if (old != null) {
            old.movedAway = true;
            TcpProxy.closeQuietly(old.socket);
            join(old.reader); // its end is queued before anything from the new server
        }
        if (!carriable()) {
            TcpProxy.closeQuietly(server);
            close();
            return;
        }
        try {
            attach(server);
        } catch (IOException ex) {
            TcpProxy.closeQuietly(server);
            close();
        }
    }

    /** Closes both sides at once; bytes still queued are lost. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            TcpProxy.closeQuietly(client);
            Backend current;
            synchronized (this) {
                current = backend;
                backend = null;
                notifyAll();
            }
            if (current != null) {
                TcpProxy.closeQuietly(current.socket);
            }
            upstream.add(STOP);
            downstream.add(STOP);
            proxy.closed(this);
        }
    }

    private void attach(Socket server) throws IOException {
        Backend attached = new Backend(server);
        synchronized (this) {
            if (closed.get()) {
                TcpProxy.closeQuietly(server);
                return;
            }
            backend = attached;
            attached.reader.start();
            notifyAll();
        }
    }

    private synchronized boolean carriable() {
        return !closed.get() && !clientRequests.opaque() && !clientRequests.subscriber();
    }

    private void read(InputStream in, BlockingQueue<Chunk> chunks, @Nullable Backend from) {
        byte[] buffer = new byte[BUFFER_SIZE];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                byte[] bytes = Arrays.copyOf(buffer, n);
                if (from != null) {
                    from.replies.feed(bytes, n);
                }
                chunks.add(new Chunk(bytes, System.nanoTime(), null));
            }
        } catch (IOException ex) {
            // reset or closed
        }
        if (from == null) {
            chunks.add(STOP);
            return;
        }
        synchronized (this) {
            if (backend == from) {
                backend = null; // the server went away on its own: requests wait for a move
            }
        }
        chunks.add(new Chunk(new byte[0], 0, from));
    }

    private void writeUpstream() {
        try {
            for (Chunk chunk = upstream.take(); chunk != STOP; chunk = upstream.take()) {
                proxy.awaitPassage(Direction.UPSTREAM, chunk.readAtNanos(), closed::get);
                Backend to;
                synchronized (this) {
                    clientRequests.feed(chunk.bytes(), chunk.bytes().length);
                    while (backend == null && !closed.get()) {
                        wait(); // the server side is lost: wait for a move
                    }
                    if (closed.get()) {
                        return;
                    }
                    to = backend;
                    to.requests.feed(chunk.bytes(), chunk.bytes().length);
                }
                try {
                    OutputStream out = to.socket.getOutputStream();
                    out.write(chunk.bytes());
                    out.flush();
                } catch (IOException ex) {
                    // that server is gone: its end answers these requests, or resets the client
                }
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        close(); // the client went away
    }

    private void writeDownstream() {
        try {
            OutputStream out = client.getOutputStream();
            for (Chunk chunk = downstream.take(); chunk != STOP; chunk = downstream.take()) {
                if (chunk.isEnd()) {
                    if (!serverEnded(chunk.endOf(), out)) {
                        break;
                    }
                    continue;
                }
                proxy.awaitPassage(Direction.DOWNSTREAM, chunk.readAtNanos(), closed::get);
                out.write(chunk.bytes());
                out.flush();
            }
        } catch (IOException | InterruptedException ex) {
            // reset or closed
        }
        close();
    }

    /**
     * The old server's last bytes have gone to the client. Answers what it left unanswered and keeps
     * the client, if the proxy keeps clients and the traffic allows; returns whether it did.
     */
    private boolean serverEnded(Backend ended, OutputStream out) throws IOException {
        if (!(ended.movedAway || proxy.keepsClients())
                || !carriable()
                || !ended.replies.atBoundary()
                || !ended.requests.atBoundary()) {
            return false;
        }
        long unanswered = ended.requests.messages() - ended.replies.messages();
        for (long i = 0; i < unanswered; i++) {
            out.write(LOST_REPLY);
        }
        out.flush();
        return true;
    }

    private static void daemon(String name, Runnable task) {
        thread(name, task).start();
    }

    private static Thread thread(String name, Runnable task) {
        Thread thread = new Thread(task, "tcp-proxy-" + name);
        thread.setDaemon(true);
        return thread;
    }

    private static void join(Thread thread) {
        try {
            thread.join(5_000);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
