package dev.backout.target;

/**
 * External mode started without a key to encrypt target secrets.
 */
class MissingSecretKeyException extends RuntimeException {

	MissingSecretKeyException() {
		super("No key to encrypt target database passwords is configured.");
	}

}
