package dev.backout.notification;

/**
 * One message for one endpoint, stored until it is delivered. The endpoint is named by a digest
 * of its URL, never the URL: a Slack or Teams webhook URL is itself the credential to post.
 *
 * @param messageId the {@code webhook-id}: the same on every try, so receivers drop repeats
 */
record WebhookDelivery(String messageId, long incidentId, Format format, String endpoint, String body) {

	enum Format {

		STANDARD, SLACK, TEAMS

	}

	static String endpointOf(String url) {
		try {
			byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
				.digest(url.getBytes(java.nio.charset.StandardCharsets.UTF_8));
			return java.util.HexFormat.of().formatHex(digest, 0, 12);
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every Java runtime", ex);
		}
	}

}
