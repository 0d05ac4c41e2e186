package io.seatwatch.notifier.webhook.http;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.scheduler.NonBlocking;

/**
 * The Netty transport webhooks are sent on ({@code seatwatch.webhooks.transport}). Chosen here rather than left
 * to Reactor Netty, which takes io_uring whenever its native library is on the classpath: on the Netty of this
 * build, io_uring now and then leaves a response on a reused keep-alive connection unread, the attempt times out
 * although the receiver answered, and the retry delivers the event a second time. The apps no longer ship that
 * library (the poms exclude it), so io_uring falls back to NIO unless an operator adds it.
 */
public enum WebhookTransport {

    /** Linux's epoll: the default. */
    EPOLL("epoll"),
    /** Java NIO: every platform; what a native transport falls back to where it is not available. */
    NIO("nio"),
    /** Linux's io_uring: only with a Netty whose io_uring transport is known not to lose reads. */
    IO_URING("io_uring");

    private final String label;

    WebhookTransport(String label) {
        this.label = label;
    }

    /** The name in settings, metric tags and thread names ({@code webhook-<label>-N}). */
    public String label() {
        return label;
    }

    /** Whether this machine can run it; NIO always can. */
    public boolean isAvailable() {
        return switch (this) {
            case EPOLL -> Epoll.isAvailable();
            case IO_URING -> IoUring.isAvailable();
            case NIO -> true;
        };
    }

    /** Why this machine cannot run it, for the log. */
    public String unavailabilityCause() {
        Throwable cause = switch (this) {
            case EPOLL -> Epoll.unavailabilityCause();
            case IO_URING -> IoUring.unavailabilityCause();
            case NIO -> null;
        };
        return cause == null ? "unknown" : cause.toString();
    }

    /** Event loops of this transport, on daemon threads {@code webhook-<label>-N}. */
    EventLoopGroup newEventLoopGroup(int threads) {
        IoHandlerFactory handlers = switch (this) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
        return new MultiThreadIoEventLoopGroup(threads, new LoopThreads("webhook-" + label + "-"), handlers);
    }

    /** Event-loop threads that Reactor knows as non-blocking (a block() on one fails instead of stalling I/O). */
    private static final class LoopThreads implements ThreadFactory {

        private final String prefix;
        private final AtomicInteger count = new AtomicInteger();

        LoopThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new LoopThread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }

    private static final class LoopThread extends FastThreadLocalThread implements NonBlocking {
        LoopThread(Runnable task, String name) {
            super(task, name);
        }
    }
}
