package dev.backout.notification;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature: HMAC-SHA256 over {@code id.timestamp.body} with the secret's
 * key, sent as {@code webhook-signature: v1,<base64>} beside {@code webhook-id} and
 * {@code webhook-timestamp}, so a receiver proves the message came from the console, unchanged,
 * recently, and drops a second delivery of the same id.
 */
final class WebhookSignature {

	private static final String PREFIX = "whsec_";

	private WebhookSignature() {
	}

	static byte[] key(String secret) {
		String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
		byte[] key;
		try {
			key = Base64.getDecoder().decode(encoded);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("backout.webhooks.secret must be whsec_ followed by base64.");
		}
		if (key.length < 24) {
			throw new IllegalArgumentException("backout.webhooks.secret must hold at least 24 random bytes.");
		}
		return key;
	}

	static String sign(byte[] key, String id, long timestamp, String body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			byte[] signature = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
			return "v1," + Base64.getEncoder().encodeToString(signature);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is part of every Java runtime", ex);
		}
	}

}
