package dev.leaderelection.testing.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Ports on the loopback address. */
final class LocalPorts {

    static final String HOST = "127.0.0.1";

    private LocalPorts() {}

    /** A port that was free a moment ago. */
    static int findFree() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException ex) {
            throw new UncheckedIOException("No free port on " + HOST, ex);
        }
    }

    /** Whether a server could listen on {@code port} right now. */
    static boolean isBindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, port));
            return true;
        } catch (IOException ex) {
            return false;
        }
    }
}
