package io.seatwatch.webhooks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook signing secrets: generated as {@code whsec_} + base64 of 32 SecureRandom bytes (Standard
 * Webhooks), stored only encrypted with AES-256-GCM. A stored value is {@code base64(iv || ciphertext || tag)}
 * with a random 12-byte IV and the associated data {@code studentId + ":" + classId}, so a value copied
 * to another subscription does not decrypt.
 *
 * <p>Plain Java without Spring: notifier-webhook decrypts with the same key (SEATWATCH_WEBHOOK_SECRET_KEY)
 * when it signs. Neither the key nor a secret ever appears in {@link #toString()} or an exception message.
 */
public final class WebhookSecretCipher {

    public static final String SECRET_PREFIX = "whsec_";
    public static final int KEY_BYTES = 32;
    static final int SECRET_BYTES = 32;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private WebhookSecretCipher(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * @param base64Key base64 of exactly 32 bytes ({@code openssl rand -base64 32})
     * @throws IllegalArgumentException when it is not (the message never contains the key)
     */
    public static WebhookSecretCipher fromBase64Key(String base64Key) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the webhook secret key is not valid base64");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("the webhook secret key must be base64 of exactly " + KEY_BYTES
                    + " bytes, not " + key.length);
        }
        return new WebhookSecretCipher(key);
    }

    /**
     * The cipher for the {@code seatwatch.webhooks.secret-key} setting, for an app's startup.
     *
     * @param help how to get a valid key, appended to the message
     * @throws IllegalStateException when the key is missing or invalid (the message never contains it)
     */
    public static WebhookSecretCipher fromSetting(String base64Key, String help) {
        if (base64Key == null || base64Key.isBlank()) {
            throw new IllegalStateException("No webhook secret key: " + help);
        }
        try {
            return fromBase64Key(base64Key);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Invalid webhook secret key (" + e.getMessage() + "): " + help);
        }
    }

    /** A new signing secret: {@code whsec_} + base64 of 32 random bytes. */
    public String newSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(bytes);
    }

    /** The associated data that binds a stored secret to its subscription. */
    public static String associatedData(String studentId, String classId) {
        return studentId + ":" + classId;
    }

    public String encrypt(String secret, String studentId, String classId) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, iv, studentId, classId);
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * @throws IllegalArgumentException when the value is not one this key sealed for this subscription
     */
    public String decrypt(String stored, String studentId, String classId) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(stored);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("stored webhook secret is not base64");
        }
        if (raw.length < IV_BYTES + TAG_BITS / 8) {
            throw new IllegalArgumentException("stored webhook secret is too short");
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, java.util.Arrays.copyOf(raw, IV_BYTES), studentId, classId);
            return new String(cipher.doFinal(raw, IV_BYTES, raw.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            // No cause: it would add nothing but noise, and never carries key material anyway.
            throw new IllegalArgumentException("stored webhook secret does not decrypt with this key for this subscription");
        }
    }

    private Cipher cipher(int mode, byte[] iv, String studentId, String classId) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
        cipher.updateAAD(associatedData(studentId, classId).getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    @Override
    public String toString() {
        return "WebhookSecretCipher[AES-256-GCM, key hidden]";
    }
}
