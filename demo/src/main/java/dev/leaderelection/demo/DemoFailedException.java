package dev.leaderelection.demo;

/** An expectation of the demo was not met in time: the demo exits with status 1. */
final class DemoFailedException extends RuntimeException {

    DemoFailedException(String message) {
        super(message);
    }
}
