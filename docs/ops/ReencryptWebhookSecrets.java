// Re-encrypts stored webhook signing secrets from one SEATWATCH_WEBHOOK_SECRET_KEY to another, offline,
// with the project's own cipher (io.seatwatch.webhooks.WebhookSecretCipher, module webhook-support).
// Procedure and context: docs/operations.md, "Rotating SEATWATCH_WEBHOOK_SECRET_KEY".
//
//   OLD_KEY=... NEW_KEY=... java -cp webhook-support-<version>.jar ReencryptWebhookSecrets.java \
//       < subscriptions.tsv > updates.redis
//
// Needs a JDK (11+: single-file source launch). Input: one line per subscription hash, tab-separated:
//   key  studentId  classId  webhookSecret  webhookSecretPrevious     (empty column = field absent)
// Output (stdout): one redis-cli command per sealed value, a compare-and-set that rewrites the field only
// if it still holds the value read, so a concurrent change is never overwritten (the command then
// answers -1: gather and run again). Values already sealed with NEW_KEY are skipped, so the procedure can
// be repeated until nothing is left. Summary on stderr; exit status 1 if any value opens with neither key.
// Plaintext secrets stay in this process; the output holds only ciphertext.
import io.seatwatch.webhooks.WebhookSecretCipher;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

public class ReencryptWebhookSecrets {

    private static final String CAS = "\"if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then "
            + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) return 1 else return -1 end\"";
    private static final String[] FIELDS = {"webhookSecret", "webhookSecretPrevious"};

    public static void main(String[] args) throws Exception {
        WebhookSecretCipher oldKey = WebhookSecretCipher.fromSetting(System.getenv("OLD_KEY"), "set OLD_KEY");
        WebhookSecretCipher newKey = WebhookSecretCipher.fromSetting(System.getenv("NEW_KEY"), "set NEW_KEY");
        int rewritten = 0, alreadyNew = 0, unreadable = 0, lines = 0;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.isBlank()) {
                continue;
            }
            lines++;
            String[] c = line.split("\t", -1);
            if (c.length < 5) {
                throw new IllegalArgumentException("line " + lines + ": expected 5 tab-separated columns");
            }
            String key = c[0], studentId = c[1], classId = c[2];
            for (int i = 0; i < FIELDS.length; i++) {
                String sealed = c[3 + i];
                if (sealed.isEmpty()) {
                    continue;
                }
                String secret;
                try {
                    secret = oldKey.decrypt(sealed, studentId, classId);
                } catch (IllegalArgumentException notOld) {
                    try {
                        newKey.decrypt(sealed, studentId, classId);
                        alreadyNew++;
                    } catch (IllegalArgumentException notNew) {
                        unreadable++;
                        System.err.println("UNREADABLE " + key + " " + FIELDS[i] + " (opens with neither key)");
                    }
                    continue;
                }
                String resealed = newKey.encrypt(secret, studentId, classId);
                System.out.println("EVAL " + CAS + " 1 " + key + " " + FIELDS[i] + " " + sealed + " " + resealed);
                rewritten++;
            }
        }
        System.err.printf("subscriptions read: %d, values to rewrite: %d, already under NEW_KEY: %d, unreadable: %d%n",
                lines, rewritten, alreadyNew, unreadable);
        System.exit(unreadable > 0 ? 1 : 0);
    }
}
