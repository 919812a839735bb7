package dev.leaderelection.autoconfigure;

import dev.leaderelection.RelinquishSchedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;
import org.springframework.scheduling.support.CronExpression;

/**
 * Relinquishes at the times of a Spring cron expression in a time zone
 * ({@code leader.election.relinquish.cron} and {@code .zone}): a term granted at {@code t} ends at
 * the first time of the expression after {@code t}, read on the engine's wall clock.
 *
 * @param expression the cron expression
 * @param zone the time zone the expression's fields are read in
 */
public record CronRelinquishSchedule(CronExpression expression, ZoneId zone) implements RelinquishSchedule {

    /**
     * @throws IllegalArgumentException if {@code expression} is not a Spring cron expression
     */
    public static CronRelinquishSchedule parse(String expression, ZoneId zone) {
        return new CronRelinquishSchedule(CronExpression.parse(expression), zone);
    }

    @Override
    public Optional<Duration> termLength(Instant grantedAt) {
        ZonedDateTime next = expression.next(grantedAt.atZone(zone));
        return next == null ? Optional.empty() : Optional.of(Duration.between(grantedAt, next.toInstant()));
    }

    @Override
    public String toString() {
        return "cron '" + expression + "' in " + zone;
    }
}
