package io.seatwatch.notifier.webhook.http;

import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.NameResolver;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.seatwatch.webhooks.WebhookAddressPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Reactor Netty's non-blocking DNS resolver with the SSRF guard in it: every address a webhook host resolves
 * to is checked by {@link WebhookAddressPolicy}, and the connection is made to exactly the addresses checked,
 * because the resolver is the one Netty connects with (no second lookup that DNS rebinding could answer
 * differently). If any address is refused the host is refused and nothing is dialed. IP literals, which Netty
 * would otherwise connect to without asking a resolver, pass through the same check.
 */
public class GuardedAddressResolverGroup extends DnsAddressResolverGroup {

    private final WebhookAddressPolicy policy;

    public GuardedAddressResolverGroup(DnsNameResolverBuilder builder, WebhookAddressPolicy policy) {
        super(builder);
        this.policy = policy;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newAddressResolver(EventLoop eventLoop, NameResolver<InetAddress> resolver)
            throws Exception {
        return new Guarded(eventLoop, super.newAddressResolver(eventLoop, resolver));
    }

    /** Why this host's addresses may not be dialed, if they may not. */
    Optional<String> refusal(String host, List<InetAddress> addresses) {
        for (InetAddress address : addresses) {
            Optional<String> reason = policy.refusal(address);
            if (reason.isPresent()) {
                return Optional.of("host " + host + " resolves to " + address.getHostAddress() + ", " + reason.get()
                        + "; webhooks must reach a public address");
            }
        }
        return Optional.empty();
    }

    private final class Guarded implements AddressResolver<InetSocketAddress> {

        private final EventLoop eventLoop;
        private final AddressResolver<InetSocketAddress> delegate;

        Guarded(EventLoop eventLoop, AddressResolver<InetSocketAddress> delegate) {
            this.eventLoop = eventLoop;
            this.delegate = delegate;
        }

        @Override
        public boolean isSupported(SocketAddress address) {
            return delegate.isSupported(address);
        }

        /** Never: a resolved address (an IP literal) must come through {@link #resolveAll} to be checked. */
        @Override
        public boolean isResolved(SocketAddress address) {
            return false;
        }

        @Override
        public Future<InetSocketAddress> resolve(SocketAddress address) {
            return resolve(address, eventLoop.newPromise());
        }

        @Override
        public Future<InetSocketAddress> resolve(SocketAddress address, Promise<InetSocketAddress> promise) {
            Promise<List<InetSocketAddress>> all = eventLoop.newPromise();
            all.addListener(f -> {
                if (f.isSuccess()) {
                    promise.trySuccess(all.getNow().get(0));
                } else {
                    promise.tryFailure(f.cause());
                }
            });
            resolveAll(address, all);
            return promise;
        }

        @Override
        public Future<List<InetSocketAddress>> resolveAll(SocketAddress address) {
            return resolveAll(address, eventLoop.newPromise());
        }

        @Override
        public Future<List<InetSocketAddress>> resolveAll(SocketAddress address, Promise<List<InetSocketAddress>> promise) {
            InetSocketAddress target = (InetSocketAddress) address;
            if (!target.isUnresolved()) {
                check(target.getHostString(), List.of(target), promise);
                return promise;
            }
            delegate.resolveAll(address).addListener(f -> {
                if (f.isSuccess()) {
                    @SuppressWarnings("unchecked")
                    List<InetSocketAddress> resolved = (List<InetSocketAddress>) f.getNow();
                    check(target.getHostString(), resolved, promise);
                } else {
                    promise.tryFailure(f.cause());
                }
            });
            return promise;
        }

        private void check(String host, List<InetSocketAddress> resolved, Promise<List<InetSocketAddress>> promise) {
            if (resolved.isEmpty()) {
                promise.tryFailure(new UnknownHostException("host " + host + " has no address"));
                return;
            }
            Optional<String> refused = refusal(host, resolved.stream().map(InetSocketAddress::getAddress).toList());
            if (refused.isPresent()) {
                promise.tryFailure(new AddressRefusedException(refused.get()));
            } else {
                promise.trySuccess(resolved);
            }
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
