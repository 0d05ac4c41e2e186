package io.seatwatch.api.security;

import java.util.Optional;

/** The roles a token's {@code roles} claim may grant; a flag letter is what the Lua scripts receive. */
public enum Role {
    STUDENT("student", 'S'),
    INSTRUCTOR("instructor", 'I'),
    REGISTRAR("registrar", 'R');

    private final String claim;
    private final char flag;

    Role(String claim, char flag) {
        this.claim = claim;
        this.flag = flag;
    }

    public char flag() {
        return flag;
    }

    /** The name in a token's {@code roles} claim. */
    public String claim() {
        return claim;
    }

    public static Optional<Role> fromClaim(Object value) {
        for (Role r : values()) {
            if (r.claim.equals(value)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
