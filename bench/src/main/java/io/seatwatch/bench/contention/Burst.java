package io.seatwatch.bench.contention;

import io.seatwatch.bench.Hs256Tokens;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Enrollment requests for one class, built in advance (each student with their own token), then sent
 * together: a few sender threads wait on a latch and, once released, hand their share of the requests to
 * the client with {@code sendAsync}, so no request waits for another's answer. The clock starts at the
 * release and stops at the last answer.
 */
final class Burst {

    /** One request's answer: HTTP status and body, or the failure; latency from hand-off to the whole answer. */
    record Answer(String studentId, int status, String body, Throwable failure, long latencyNanos) {}

    /** {@code wallNanos}: release to last answer; {@code dispatchNanos}: release to the last hand-off. */
    record Outcome(List<Answer> answers, long wallNanos, long dispatchNanos) {}

    // Handing a request to the client is quick (the client's selector thread does the I/O); more senders
    // than cores would only compete with the api for the CPUs.
    private static final int SENDERS = 2;
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private final List<String> students;
    private final List<HttpRequest> requests;

    private Burst(List<String> students, List<HttpRequest> requests) {
        this.students = students;
        this.requests = requests;
    }

    static Burst prepare(URI api, String classId, List<String> students, Hs256Tokens tokens) {
        URI enrollments = api.resolve("classes/" + classId + "/enrollments");
        List<HttpRequest> requests = new ArrayList<>(students.size());
        for (String student : students) {
            requests.add(HttpRequest.newBuilder(enrollments)
                    .header("Authorization", "Bearer " + tokens.mint(student, "student"))
                    .header("Content-Type", "application/json")
                    .timeout(ANSWER_TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"studentId\":\"" + student + "\"}"))
                    .build());
        }
        return new Burst(students, requests);
    }

    Outcome fire(HttpClient client) throws InterruptedException {
        int n = requests.size();
        long[] sentAt = new long[n];
        long[] answeredAt = new long[n];
        int[] status = new int[n];
        String[] bodies = new String[n];
        Throwable[] failures = new Throwable[n];
        int senders = Math.min(SENDERS, n);
        long[] lastHandOff = new long[senders];
        CountDownLatch ready = new CountDownLatch(senders);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch answered = new CountDownLatch(n);

        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            Thread thread = new Thread(() -> {
                ready.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = sender; i < n; i += senders) {
                    int index = i;
                    sentAt[index] = System.nanoTime();
                    client.sendAsync(requests.get(index), HttpResponse.BodyHandlers.ofString())
                            .whenComplete((response, failure) -> {
                                answeredAt[index] = System.nanoTime();
                                if (response != null) {
                                    status[index] = response.statusCode();
                                    bodies[index] = response.body();
                                } else {
                                    failures[index] = failure;
                                }
                                // The latch publishes the arrays' writes to the thread that awaits it.
                                answered.countDown();
                            });
                }
                lastHandOff[sender] = System.nanoTime();
            }, "burst-sender-" + s);
            thread.start();
            threads.add(thread);
        }
        ready.await();
        long start = System.nanoTime();
        release.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        if (!answered.await(ANSWER_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(answered.getCount() + " of " + n + " requests unanswered after "
                    + ANSWER_TIMEOUT.toSeconds() + " s");
        }
        long last = start;
        List<Answer> answers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            last = Math.max(last, answeredAt[i]);
            answers.add(new Answer(students.get(i), status[i], bodies[i], failures[i], answeredAt[i] - sentAt[i]));
        }
        long handedOff = start;
        for (long t : lastHandOff) {
            handedOff = Math.max(handedOff, t);
        }
        return new Outcome(answers, last - start, handedOff - start);
    }
}
