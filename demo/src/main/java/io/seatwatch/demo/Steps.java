package io.seatwatch.demo;

import java.util.concurrent.Callable;

/** Numbered steps, each printed with what it found and how long it took. */
final class Steps {

    private final int total;
    private final long started = System.nanoTime();
    private int count;

    Steps(int total) {
        this.total = total;
    }

    /** Runs one step and returns what it found, which is also what is printed after its title. */
    String run(String title, Callable<String> step) throws Exception {
        count++;
        System.out.printf("[%2d/%d] %-52s ", count, total, title);
        System.out.flush();
        long start = System.nanoTime();
        String found = step.call();
        System.out.printf("ok  %5d ms  %s%n", (System.nanoTime() - start) / 1_000_000, found);
        return found;
    }

    int count() {
        return count;
    }

    long elapsedMillis() {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
