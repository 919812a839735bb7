package dev.leaderelection.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

/** Binding of {@code telnet.*}: defaults, names and the checks that fail startup. */
class TelnetPropertiesTests {

    @Test
    void defaultsLeaveOutPromptAndLogin() {
        TelnetProperties properties = bind(Map.of());

        assertThat(properties.prompt()).isNull();
        assertThat(properties.terminalType()).isEqualTo("dumb");
        assertThat(properties.maxReplySize()).isEqualTo(DataSize.ofKilobytes(64));
        assertThat(properties.login().enabled()).isFalse();
    }

    @Test
    void loginBindsAndNeverShowsThePassword() {
        TelnetProperties properties = bind(Map.of(
                "telnet.prompt", "^router# $",
                "telnet.terminal-type", "VT100",
                "telnet.max-reply-size", "1MB",
                "telnet.login.user", "ops",
                "telnet.login.password", "s3cr3t",
                "telnet.login.user-prompt", "Username: $",
                "telnet.login.password-prompt", "Password: $"));

        assertThat(properties.login().enabled()).isTrue();
        assertThat(properties.login().userPrompt()).isEqualTo("Username: $");
        assertThat(properties.maxReplyBytes()).isEqualTo(1024 * 1024);
        assertThat(properties.toString()).contains("ops").doesNotContain("s3cr3t");
    }

    @Test
    void aLoginWithoutAPromptFailsNamingBothProperties() {
        assertThatExceptionOfType(BindException.class)
                .isThrownBy(() -> bind(Map.of("telnet.login.user", "ops")))
                .havingRootCause()
                .withMessage(
                        "telnet.login.user needs telnet.prompt: the prompt tells a successful login from a failed one");
    }

    @Test
    void aPromptThatIsNoRegularExpressionFailsNamingTheProperty() {
        assertThatExceptionOfType(BindException.class)
                .isThrownBy(() -> bind(Map.of("telnet.prompt", "[>#")))
                .withStackTraceContaining("telnet.prompt must be a regular expression, was '[>#'");
    }

    private static TelnetProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("telnet", TelnetProperties.class);
    }
}
