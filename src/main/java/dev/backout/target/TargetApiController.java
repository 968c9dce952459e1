package dev.backout.target;

import java.net.URI;
import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Target databases through the API, as on the admin pages: registered, edited and tested by admins;
 * listed for commanders too, who open incidents on them. Passwords go in, never out.
 */
@RestController
@RequestMapping("/api/targets")
@Tag(name = "Targets", description = "The databases runbooks run against")
class TargetApiController {

	private final Targets targets;

	TargetApiController(Targets targets) {
		this.targets = targets;
	}

	/** A target as the API shows it: no password, stored or not. */
	record View(long id, String name, String aliasGroup, Environment environment, String jdbcUrl, String username,
			String checkUsername, boolean allowSuperuserChecks, Instant createdAt, Instant updatedAt) {

		static View of(Target target) {
			return new View(target.id(), target.name(), target.aliasGroup(), target.environment(), target.jdbcUrl(), target.username(),
					target.checkUsername(), target.allowSuperuserChecks(), target.createdAt(), target.updatedAt());
		}

	}

	@GetMapping
	@PreAuthorize("hasAnyRole('ADMIN', 'COMMANDER')")
	@Operation(summary = "Every registered target")
	List<View> list() {
		return this.targets.all().stream().map(View::of).toList();
	}

	@GetMapping("/{id}")
	@PreAuthorize("hasAnyRole('ADMIN', 'COMMANDER')")
	@Operation(summary = "One target")
	View get(@PathVariable long id) {
		return View.of(this.targets.get(id));
	}

	@PostMapping
	@PreAuthorize("hasRole('ADMIN')")
	@Operation(summary = "Register a target (ADMIN)", description = "The password is encrypted at rest and never shown again.")
	ResponseEntity<View> register(@Valid @RequestBody TargetForm form, Authentication admin) {
		Target target = this.targets.register(form.spec(), admin);
		return ResponseEntity.created(URI.create("/api/targets/" + target.id())).body(View.of(target));
	}

	@PutMapping("/{id}")
	@PreAuthorize("hasRole('ADMIN')")
	@Operation(summary = "Edit a target (ADMIN)", description = "A blank password keeps the stored one.")
	View update(@PathVariable long id, @Valid @RequestBody TargetForm form, Authentication admin) {
		return View.of(this.targets.update(id, form.spec(), admin));
	}

	@PostMapping("/{id}/test")
	@PreAuthorize("hasRole('ADMIN')")
	@Operation(summary = "Test the connection (ADMIN)", description = "What each credential may do, and what to grant.")
	ConnectionCheck test(@PathVariable long id, Authentication admin) {
		return this.targets.test(id, admin);
	}

}
