package dev.leaderelection.testing.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {

    private ServerSocket echoServer;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private TcpProxy proxy;

    @BeforeEach
    void startEchoServerBehindAProxy() throws IOException {
        echoServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::echoAll);
        acceptor.setDaemon(true);
        acceptor.start();
        proxy = new TcpProxy(echoServer.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echoServer.close();
    }

    @Test
    void forwardsBothWays() throws IOException {
        try (Socket socket = connect(Duration.ofSeconds(5))) {
            assertThat(roundTrip(socket, "ping")).isEqualTo("ping");
            assertThat(proxy.openConnections()).isEqualTo(1);
        }
    }

    @Test
    void latencyDelaysEveryChunk() throws IOException {
        try (Socket socket = connect(Duration.ofSeconds(5))) {
            proxy.latency(Duration.ofMillis(200));
            long started = System.nanoTime();
            assertThat(roundTrip(socket, "slow")).isEqualTo("slow");
            // once up and once down
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        }
    }

    @Test
    void heldRepliesArriveLateOnceHealedWhileTheRequestStillReachesTheServer() throws IOException {
        try (Socket socket = connect(Duration.ofMillis(300))) {
            proxy.hold(Direction.DOWNSTREAM);
            send(socket, "executed");

            await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("executed"));
            BufferedReader in = reader(socket);
            assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(in::readLine);

            proxy.heal();
            socket.setSoTimeout(5_000);
            assertThat(in.readLine()).isEqualTo("executed");
        }
    }

    @Test
    void heldRequestsNeverReachTheServerBeforeHealing() throws IOException {
        try (Socket socket = connect(Duration.ofSeconds(5))) {
            proxy.hold(Direction.UPSTREAM, Direction.DOWNSTREAM);
            send(socket, "held");

            await().during(Duration.ofMillis(300)).until(() -> !received.contains("held"));
            proxy.heal();
            assertThat(reader(socket).readLine()).isEqualTo("held");
        }
    }

    @Test
    void resetClosesOpenConnectionsAndLosesHeldBytes() throws IOException {
        try (Socket socket = connect(Duration.ofSeconds(5))) {
            proxy.hold(Direction.DOWNSTREAM);
            send(socket, "lost");
            await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("lost"));

            proxy.resetConnections();
            proxy.heal();

            assertThat(reader(socket).readLine()).isNull();
            assertThat(proxy.openConnections()).isZero();
        }
        try (Socket again = connect(Duration.ofSeconds(5))) {
            assertThat(roundTrip(again, "new")).isEqualTo("new");
        }
    }

    @Test
    void retargetResettingClientsClosesThemAndNewConnectionsReachTheNewServer() throws IOException {
        try (FakeRedis first = new FakeRedis("first");
                FakeRedis second = new FakeRedis("second");
                TcpProxy front = new TcpProxy(first.port());
                Socket socket = connect(front, Duration.ofSeconds(5))) {
            assertThat(command(socket, "PING")).isEqualTo("+first");

            front.retarget(second.port(), true);

            assertThat(reader(socket).readLine()).isNull();
            try (Socket again = connect(front, Duration.ofSeconds(5))) {
                assertThat(command(again, "PING")).isEqualTo("+second");
            }
            assertThat(front.targetPort()).isEqualTo(second.port());
        }
    }

    @Test
    void retargetKeepingClientsCarriesOpenConnectionsToTheNewServer() throws IOException {
        try (FakeRedis first = new FakeRedis("first");
                FakeRedis second = new FakeRedis("second");
                TcpProxy front = new TcpProxy(first.port());
                Socket socket = connect(front, Duration.ofSeconds(5))) {
            BufferedReader in = reader(socket);
            send(socket, request("PING"));
            assertThat(in.readLine()).isEqualTo("+first");

            front.retarget(second.port(), false);

            send(socket, request("PING"));
            assertThat(in.readLine()).isEqualTo("+second");
            assertThat(front.openConnections()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> first.openConnections() == 0);
        }
    }

    @Test
    void keptClientsGetAnErrorForWhatADeadServerLeftUnansweredAndWaitForTheMove() throws IOException {
        try (FakeRedis first = new FakeRedis("first");
                FakeRedis second = new FakeRedis("second");
                TcpProxy front = new TcpProxy(first.port());
                Socket socket = connect(front, Duration.ofMillis(300))) {
            front.keepClients(true);
            BufferedReader in = reader(socket);
            send(socket, request("HANG"));
            await().atMost(Duration.ofSeconds(5)).until(() -> first.received().contains("HANG"));

            first.close(); // dies without answering

            socket.setSoTimeout(5_000);
            assertThat(in.readLine()).isEqualTo("-ERR proxy: the server failed before it answered");
            socket.setSoTimeout(300);
            send(socket, request("PING"));
            assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(in::readLine);

            front.retarget(second.port(), false);
            socket.setSoTimeout(5_000);
            assertThat(in.readLine()).isEqualTo("+second");
        }
    }

    @Test
    void withoutKeepingClientsADeadServerResetsThem() throws IOException {
        try (FakeRedis first = new FakeRedis("first");
                TcpProxy front = new TcpProxy(first.port());
                Socket socket = connect(front, Duration.ofSeconds(5))) {
            assertThat(command(socket, "PING")).isEqualTo("+first");

            first.close();

            assertThat(reader(socket).readLine()).isNull();
        }
    }

    @Test
    void aMoveKeepingClientsResetsSubscribersAndTrafficThatIsNotRedis() throws IOException {
        try (FakeRedis first = new FakeRedis("first");
                FakeRedis second = new FakeRedis("second");
                TcpProxy front = new TcpProxy(first.port());
                Socket subscriber = connect(front, Duration.ofSeconds(5));
                Socket inline = connect(front, Duration.ofSeconds(5))) {
            BufferedReader subscriberIn = reader(subscriber);
            send(subscriber, request("SUBSCRIBE", "released"));
            assertThat(subscriberIn.readLine()).isEqualTo(">3");
            BufferedReader inlineIn = reader(inline);
            send(inline, "PING");
            assertThat(inlineIn.readLine()).isEqualTo("+first");

            front.retarget(second.port(), false);

            assertThat(inlineIn.readLine()).isNull();
            await().atMost(Duration.ofSeconds(5)).until(() -> front.openConnections() == 0);
        }
    }

    private Socket connect(Duration readTimeout) throws IOException {
        return connect(proxy, readTimeout);
    }

    private static Socket connect(TcpProxy proxy, Duration readTimeout) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout((int) readTimeout.toMillis());
        return socket;
    }

    /** A command in RESP, as Redis clients send it: an array of bulk strings. */
    private static String request(String... words) {
        StringBuilder request = new StringBuilder("*").append(words.length);
        for (String word : words) {
            request.append("\r\n$").append(word.length()).append("\r\n").append(word);
        }
        return request.toString(); // send() adds the last line end
    }

    private static String command(Socket socket, String word) throws IOException {
        send(socket, request(word));
        return reader(socket).readLine();
    }

    private static String roundTrip(Socket socket, String line) throws IOException {
        send(socket, line);
        return reader(socket).readLine();
    }

    private static void send(Socket socket, String line) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((line + "\r\n").getBytes(UTF_8));
        out.flush();
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    }

    private void echoAll() {
        while (!echoServer.isClosed()) {
            try {
                Socket socket = echoServer.accept();
                Thread session = new Thread(() -> echo(socket));
                session.setDaemon(true);
                session.start();
            } catch (IOException ex) {
                return;
            }
        }
    }

    private void echo(Socket socket) {
        try (socket) {
            BufferedReader in = reader(socket);
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                received.add(line);
                send(socket, line);
            }
        } catch (IOException ex) {
            // closed
        }
    }

    /**
     * Answers every command with {@code +<name>}, an inline one too, except {@code HANG} (never
     * answered) and {@code SUBSCRIBE} (a RESP3 push). Closing it resets its connections, as a killed
     * server's do.
     */
    private static final class FakeRedis implements AutoCloseable {

        private final String name;
        private final ServerSocket server;
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private final List<String> received = new CopyOnWriteArrayList<>();

        FakeRedis(String name) throws IOException {
            this.name = name;
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::acceptAll);
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        List<String> received() {
            return received;
        }

        int openConnections() {
            return (int) open.stream().filter(socket -> !socket.isClosed()).count();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : open) {
                socket.close();
            }
        }

        private void acceptAll() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    open.add(socket);
                    Thread session = new Thread(() -> serve(socket));
                    session.setDaemon(true);
                    session.start();
                } catch (IOException ex) {
                    return;
                }
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                BufferedReader in = reader(socket);
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String command = line;
                    if (line.startsWith("*")) {
                        int words = Integer.parseInt(line.substring(1));
                        List<String> request = new java.util.ArrayList<>();
                        for (int i = 0; i < words; i++) {
                            in.readLine(); // $length
                            request.add(in.readLine());
                        }
                        command = request.get(0);
                    }
                    received.add(command);
                    if (command.equals("SUBSCRIBE")) {
                        send(socket, ">3\r\n$9\r\nsubscribe\r\n$8\r\nreleased\r\n:1");
                    } else if (!command.equals("HANG")) {
                        send(socket, "+" + name);
                    }
                }
            } catch (IOException ex) {
                // closed
            } finally {
                open.remove(socket);
            }
        }
    }
}
