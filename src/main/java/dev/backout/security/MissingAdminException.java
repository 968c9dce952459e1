package dev.backout.security;

/**
 * External mode started with no users and no usable initial administrator configured.
 */
class MissingAdminException extends RuntimeException {

	MissingAdminException() {
		super("The console database has no users and no initial administrator is configured.");
	}

	MissingAdminException(String problem) {
		super("The initial administrator cannot be created: " + problem);
	}

}
