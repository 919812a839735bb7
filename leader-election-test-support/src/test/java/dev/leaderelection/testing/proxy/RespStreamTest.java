package dev.leaderelection.testing.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RespStreamTest {

    @Test
    void countsRequestsSplitAcrossChunks() {
        RespStream requests = new RespStream();
        String evalsha = "*4\r\n$7\r\nEVALSHA\r\n$3\r\nabc\r\n$1\r\n1\r\n$5\r\nlease\r\n";

        feed(requests, evalsha.substring(0, 17));
        assertThat(requests.messages()).isZero();
        assertThat(requests.atBoundary()).isFalse();

        feed(requests, evalsha.substring(17) + "*1\r\n$4\r\nPING\r\n");
        assertThat(requests.messages()).isEqualTo(2);
        assertThat(requests.atBoundary()).isTrue();
        assertThat(requests.subscriber()).isFalse();
    }

    @Test
    void countsRepliesOfEveryTypeButNotPushesOrAttributes() {
        RespStream replies = new RespStream();

        feed(
                replies,
                "+OK\r\n-ERR no\r\n:1\r\n$-1\r\n_\r\n#t\r\n,1.5\r\n(12\r\n$3\r\nabc\r\n*-1\r\n*0\r\n"
                        + "*2\r\n:1\r\n*2\r\n$1\r\na\r\n:3\r\n%1\r\n+k\r\n~1\r\n:2\r\n=7\r\ntxt:abc\r\n"
                        + ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nx\r\n|1\r\n+ttl\r\n:3\r\n:9\r\n");

        assertThat(replies.messages()).isEqualTo(15);
        assertThat(replies.atBoundary()).isTrue();
        assertThat(replies.opaque()).isFalse();
    }

    @Test
    void noticesSubscribersInAnyCase() {
        RespStream requests = new RespStream();

        feed(requests, "*2\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n");

        assertThat(requests.subscriber()).isTrue();
    }

    @Test
    void givesUpOnTrafficThatIsNotResp() {
        RespStream inline = new RespStream();

        feed(inline, "PING\r\n");

        assertThat(inline.opaque()).isTrue();
        assertThat(inline.atBoundary()).isFalse();
    }

    private static void feed(RespStream stream, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        stream.feed(bytes, bytes.length);
    }
}
