package dev.backout.security;

import java.time.Instant;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.security.web.authentication.WebAuthenticationDetails;

/** The usual web details of a sign-in, plus when this session signed in (freshness is per session). */
class SignInDetails extends WebAuthenticationDetails {

	private final Instant signedInAt;

	SignInDetails(HttpServletRequest request, Instant signedInAt) {
		super(request);
		this.signedInAt = signedInAt;
	}

	Instant signedInAt() {
		return this.signedInAt;
	}

}
