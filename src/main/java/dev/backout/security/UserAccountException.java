package dev.backout.security;

/**
 * An account change that cannot be made as asked; the message is shown to the admin.
 */
class UserAccountException extends RuntimeException {

	UserAccountException(String message) {
		super(message);
	}

}
