package io.seatwatch.testsupport;

import java.util.Map;

/** Makes and removes vhosts on a broker: through its management API or with rabbitmqctl. */
interface VhostAdmin {

    /** A fresh vhost (a leftover of an earlier run is deleted first) on which guest may do everything. */
    void recreate(String vhost);

    /** Deletes the vhost if it exists. */
    void delete(String vhost);

    /** Queue name to type ({@code quorum}, {@code classic}). */
    Map<String, String> queueTypes(String vhost);

    /**
     * Closes every client connection to the vhost from the broker's side, as a broker shutting down does: the
     * clients get a connection.close with the reason, then the socket closes. Returns how many were closed.
     */
    int closeConnections(String vhost, String reason);
}
