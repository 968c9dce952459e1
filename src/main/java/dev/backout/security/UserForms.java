package dev.backout.security;

import java.util.Set;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Form data of the user administration pages; bound to these records, never to the aggregate.
 */
final class UserForms {

	private UserForms() {
	}

	record NewUser(
			@NotBlank @Pattern(regexp = "[a-zA-Z0-9][a-zA-Z0-9._-]{1,39}",
					message = "2 to 40 letters, digits, dots, dashes or underscores") String username,
			@NotBlank @Size(min = UserAccounts.MIN_PASSWORD_LENGTH, max = 200,
					message = "at least " + UserAccounts.MIN_PASSWORD_LENGTH + " characters") String password,
			Set<Role> roles) {

		static NewUser empty() {
			return new NewUser("", "", Set.of());
		}

		Set<Role> rolesOrNone() {
			return (this.roles != null) ? this.roles : Set.of();
		}

	}

	record PasswordReset(@NotBlank @Size(min = UserAccounts.MIN_PASSWORD_LENGTH, max = 200,
			message = "at least " + UserAccounts.MIN_PASSWORD_LENGTH + " characters") String password) {
	}

}
