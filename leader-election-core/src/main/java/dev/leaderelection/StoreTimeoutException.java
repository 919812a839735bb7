package dev.leaderelection;

import java.time.Duration;

/** A store call that did not answer within the operation timeout. */
final class StoreTimeoutException extends RuntimeException {

    StoreTimeoutException(StoreOperation operation, Duration timeout) {
        super(
                operation.label() + " did not answer within " + InvalidTimingsException.format(timeout),
                null,
                false,
                false);
    }
}
