package io.seatwatch.notifier.webhook.http;

import java.net.UnknownHostException;

/**
 * A webhook host resolved to an address the SSRF guard does not allow: nothing was dialed. An
 * {@link UnknownHostException} so that Netty fails the connection attempt with it as the cause.
 */
public class AddressRefusedException extends UnknownHostException {

    public AddressRefusedException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
