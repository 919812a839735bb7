package dev.leaderelection.testing.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection through a {@link TcpProxy}: per direction, a reader queues chunks with the time
 * they arrived and a writer passes them on when the proxy lets them.
 */
final class ProxiedConnection {

    private record Chunk(byte[] bytes, long readAtNanos) {}

    private static final Chunk END = new Chunk(new byte[0], 0);
    private static final int BUFFER_SIZE = 16 * 1024;

    private final TcpProxy proxy;
    private final Socket client;
    private final Socket server;
    private final AtomicBoolean closed = new AtomicBoolean();

    ProxiedConnection(TcpProxy proxy, Socket client, Socket server) {
        this.proxy = proxy;
        this.client = client;
        this.server = server;
    }

    void start() throws IOException {
        pump(Direction.UPSTREAM, client.getInputStream(), server.getOutputStream());
        pump(Direction.DOWNSTREAM, server.getInputStream(), client.getOutputStream());
    }

    /** Closes both sockets at once; bytes still queued are lost. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            TcpProxy.closeQuietly(client);
            TcpProxy.closeQuietly(server);
            proxy.closed(this);
        }
    }

    private void pump(Direction direction, InputStream in, OutputStream out) {
        BlockingQueue<Chunk> chunks = new LinkedBlockingQueue<>();
        daemon(direction + "-reader", () -> read(in, chunks));
        daemon(direction + "-writer", () -> write(direction, chunks, out));
    }

    private void read(InputStream in, BlockingQueue<Chunk> chunks) {
        byte[] buffer = new byte[BUFFER_SIZE];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                chunks.add(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime()));
            }
        } catch (IOException ex) {
            // reset or closed
        }
        chunks.add(END);
    }

    private void write(Direction direction, BlockingQueue<Chunk> chunks, OutputStream out) {
        try {
            for (Chunk chunk = chunks.take(); chunk != END; chunk = chunks.take()) {
                proxy.awaitPassage(direction, chunk.readAtNanos(), closed::get);
                out.write(chunk.bytes());
                out.flush();
            }
        } catch (IOException | InterruptedException ex) {
            // reset or closed
        }
        close(); // one side ended: end the other too, as a half-closed Redis connection is useless
    }

    private void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, "tcp-proxy-" + name);
        thread.setDaemon(true);
        thread.start();
    }
}
