package dev.backout.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The auditors' view of the trail itself: verification, checkpoints, a person's activity and
 * exports. Everything here reads; writing a checkpoint is for admins.
 */
@Controller
@RequestMapping("/history")
class TrailController {

	private static final int PAGE = 50;

	private final TrailVerifier verifier;

	private final TrailCheckpoints checkpoints;

	private final TrailExports exports;

	private final AuditTrail trail;

	TrailController(TrailVerifier verifier, TrailCheckpoints checkpoints, TrailExports exports, AuditTrail trail) {
		this.verifier = verifier;
		this.checkpoints = checkpoints;
		this.exports = exports;
		this.trail = trail;
	}

	@GetMapping("/trail")
	String trail(Model model) {
		long started = System.nanoTime();
		try {
			model.addAttribute("result", this.verifier.verify());
		}
		catch (TrailUnreadable unreadable) {
			model.addAttribute("unreadable", unreadable.getMessage());
		}
		model.addAttribute("tookMillis", (System.nanoTime() - started) / 1_000_000);
		List<TrailCheckpoints.Checkpoint> all = this.checkpoints.all();
		List<TrailCheckpoints.Checkpoint> latest = new ArrayList<>(all.subList(Math.max(0, all.size() - 20), all.size()));
		Collections.reverse(latest);
		model.addAttribute("checkpoints", latest);
		model.addAttribute("checkpointFile", this.checkpoints.file());
		return "audit/trail";
	}

	@PostMapping("/trail/checkpoint")
	@PreAuthorize("hasRole('ADMIN')")
	String checkpoint(Authentication admin, RedirectAttributes redirect) {
		try {
			TrailCheckpoints.Checkpoint checkpoint = this.checkpoints.write("by an admin", admin);
			redirect.addFlashAttribute("message", "Checkpoint " + checkpoint.number() + " written at sequence " + checkpoint.seq() + ".");
		}
		catch (TrailCheckpoints.NotTheWriter other) {
			redirect.addFlashAttribute("error", other.getMessage() + " Ask there, or wait for its next checkpoint.");
		}
		return "redirect:/history/trail";
	}

	@GetMapping("/people/{actor}")
	String person(@PathVariable String actor, @RequestParam(required = false) Long before, Model model) {
		List<AuditEvent> events = this.trail.byActor(actor, (before != null) ? before : Long.MAX_VALUE, PAGE + 1);
		model.addAttribute("actor", actor);
		model.addAttribute("events", events.subList(0, Math.min(PAGE, events.size())));
		model.addAttribute("nextBefore", (events.size() > PAGE) ? events.get(PAGE - 1).seq() : null);
		return "audit/person";
	}

	@GetMapping("/trail.jsonl")
	ResponseEntity<StreamingResponseBody> jsonLines(@RequestParam(required = false) Long incident) {
		return download("trail" + suffix(incident) + ".jsonl", MediaType.parseMediaType("application/x-ndjson"),
				(out) -> this.exports.jsonLines(incident, out));
	}

	@GetMapping("/trail.csv")
	ResponseEntity<StreamingResponseBody> csv(@RequestParam(required = false) Long incident) {
		return download("trail" + suffix(incident) + ".csv", MediaType.parseMediaType("text/csv"),
				(out) -> this.exports.csv(incident, out));
	}

	private static String suffix(Long incident) {
		return (incident != null) ? "-incident-" + incident : "";
	}

	private static ResponseEntity<StreamingResponseBody> download(String name, MediaType type, StreamingResponseBody body) {
		return ResponseEntity.ok()
			.contentType(type)
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "\"")
			.body(body);
	}

}
