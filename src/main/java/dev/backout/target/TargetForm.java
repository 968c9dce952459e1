package dev.backout.target;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * The target form, and the API's request body; the password is write-only (blank on edit keeps the
 * stored one); an absent allowSuperuserChecks, like an unticked box, is false.
 */
record TargetForm(
		@NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,63}", message = "lower-case letters, digits, - and _") String name,
		@NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,63}", message = "lower-case letters, digits, - and _") String aliasGroup,
		@NotNull(message = "choose one") Environment environment,
		@NotBlank @Pattern(regexp = "jdbc:postgresql://.+/.+", message = "jdbc:postgresql://host:5432/database") String jdbcUrl,
		@NotBlank String username, String password, String checkUsername, String checkPassword,
		Boolean allowSuperuserChecks) {

	static TargetForm empty() {
		return new TargetForm("", "", Environment.STAGING, "jdbc:postgresql://localhost:5432/", "", "", "", "", false);
	}

	static TargetForm of(Target target) {
		return new TargetForm(target.name(), target.aliasGroup(), target.environment(), target.jdbcUrl(),
				target.username(), "", (target.checkUsername() != null) ? target.checkUsername() : "", "",
				target.allowSuperuserChecks());
	}

	Targets.TargetSpec spec() {
		return new Targets.TargetSpec(this.name, this.aliasGroup, this.environment, this.jdbcUrl, this.username,
				this.password, this.checkUsername, this.checkPassword, Boolean.TRUE.equals(this.allowSuperuserChecks));
	}

}
