package io.seatwatch.api.subscription;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A subscription as the API shows it. {@code webhookSecret} is set only in the answer to the PUT that
 * first set a webhook; listings never carry it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Subscription(String classId, String email, String emailStatus, String webhookUrl, String webhookStatus,
                           String webhookSecret) {

    @Override
    public String toString() {
        return "Subscription[classId=" + classId + ", email=" + email + ", emailStatus=" + emailStatus
                + ", webhookUrl=" + webhookUrl + ", webhookStatus=" + webhookStatus
                + (webhookSecret == null ? "" : ", webhookSecret=***") + "]";
    }
}
