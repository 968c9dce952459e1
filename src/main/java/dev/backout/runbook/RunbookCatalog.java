package dev.backout.runbook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.ResourcePatternResolver;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.server.ResponseStatusException;

/**
 * The runbooks the console serves. Loads every file from the configured locations at start-up
 * and on demand. A file that fails is never half-loaded: the last good version of that file
 * stays active (marked stale) and the problems are shown to admins and logged.
 */
@Service
public class RunbookCatalog implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(RunbookCatalog.class);

	private final RunbookParser parser = new RunbookParser();

	private final RunbookProperties properties;

	private final ResourcePatternResolver resources;

	private final RunbookVersions versions;

	private final AuditTrail trail;

	private final Clock clock;

	private final Map<String, Runbook> parsedVersions = new java.util.concurrent.ConcurrentHashMap<>();

	private volatile Snapshot snapshot = new Snapshot(Map.of(), List.of(), null);

	/** The catalog generation this instance has loaded (see {@link #followOtherInstances()}). */
	private volatile long generation = -1;

	RunbookCatalog(RunbookProperties properties, ResourcePatternResolver resources, RunbookVersions versions,
			AuditTrail trail, Clock clock) {
		this.properties = properties;
		this.resources = resources;
		this.versions = versions;
		this.trail = trail;
		this.clock = clock;
	}

	/** What one reload found. */
	public record ReloadResult(int files, int loaded, int newVersions, List<RunbookProblem> errors) {
	}

	private record Snapshot(Map<String, LoadedRunbook> runbooks, List<RunbookProblem> problems, Instant loadedAt) {
	}

	@Override
	public void afterSingletonsInstantiated() {
		reload(null);
	}

	/**
	 * Reads every runbook file again, and tells the other instances to (they follow within
	 * {@code backout.runbooks.follow-interval}); {@code actor} is null for the console itself.
	 */
	@Transactional
	public synchronized ReloadResult reload(Authentication actor) {
		ReloadResult result = load(actor, true);
		this.generation = this.versions.nextGeneration();
		return result;
	}

	/**
	 * Another instance reloaded (or saved a runbook): this one reads the same files again. Its
	 * reload is not announced again, neither to the others nor in the trail (the first one was).
	 */
	@Scheduled(fixedDelayString = "${backout.runbooks.follow-interval:5s}", initialDelayString = "${backout.runbooks.follow-interval:5s}")
	@Transactional
	public synchronized void followOtherInstances() {
		long current = this.versions.generation();
		if (current != this.generation) {
			load(null, false);
			this.generation = current;
		}
	}

	private ReloadResult load(Authentication actor, boolean announce) {
		Map<String, LoadedRunbook> previousByFile = new LinkedHashMap<>();
		this.snapshot.runbooks().values().forEach((loaded) -> previousByFile.put(loaded.file(), loaded));
		Map<String, LoadedRunbook> next = new LinkedHashMap<>();
		List<RunbookProblem> problems = new ArrayList<>();
		List<Source> sources = sources(problems);
		int newVersions = 0;
		for (Source source : sources) {
			ParsedRunbook parsed = this.parser.parse(source.file(), source.content());
			problems.addAll(parsed.problems());
			LoadedRunbook duplicateOf = parsed.isValid() ? next.get(parsed.runbook().id()) : null;
			if (duplicateOf != null) {
				problems.add(new RunbookProblem(RunbookProblem.Severity.ERROR, source.file(), 0, 0, "Runbook id '"
						+ parsed.runbook().id() + "' is already defined in " + duplicateOf.file() + "; this file is ignored."));
			}
			if (parsed.isValid() && duplicateOf == null) {
				LoadedRunbook loaded = new LoadedRunbook(parsed.runbook(), parsed.hash(), source.file(), source.content(),
						parsed.warnings(), false);
				next.put(loaded.id(), loaded);
				if (this.versions.remember(loaded)) {
					newVersions++;
					this.trail.record(entry(actor, "RUNBOOK_VERSION_ADDED",
							Map.of("runbook", loaded.id(), "hash", loaded.hash(), "file", loaded.file())));
				}
			}
			else if (previousByFile.containsKey(source.file())) {
				LoadedRunbook lastGood = previousByFile.get(source.file());
				next.putIfAbsent(lastGood.id(), lastGood.asStale());
			}
		}
		List<RunbookProblem> errors = problems.stream().filter(RunbookProblem::isError).toList();
		errors.forEach((error) -> log.warn("Runbook not loaded: {}", error));
		this.snapshot = new Snapshot(sorted(next), List.copyOf(problems), this.clock.instant());
		if (announce) {
			this.trail.record(entry(actor, "RUNBOOKS_RELOADED",
					Map.of("files", sources.size(), "loaded", next.size(), "newVersions", newVersions, "errors", errors.size())));
		}
		return new ReloadResult(sources.size(), next.size(), newVersions, errors);
	}

	/**
	 * Saves a runbook from the editor as a new version: into the file it was loaded from, or, for a
	 * new id, into the last {@code file:} location; then reloads, so that it is active at once.
	 * Built-in runbooks (from the class path) change through the repository, not here.
	 *
	 * @param baseHash the version the author started from (null for a new runbook): a save over a
	 * version someone else saved meanwhile is refused
	 */
	@Transactional
	public synchronized LoadedRunbook save(String source, String baseHash, Authentication actor) {
		ParsedRunbook parsed = this.parser.parse("editor", source);
		if (!parsed.isValid()) {
			throw new RunbookRefused("Fix the errors first: nothing was saved.");
		}
		String id = parsed.runbook().id();
		Optional<LoadedRunbook> current = find(id);
		if (current.isPresent() && (baseHash == null || baseHash.isBlank())) {
			throw new RunbookRefused("A runbook '" + id + "' exists already: open it in the editor to change it, or choose another id.");
		}
		if (current.isPresent() && !current.get().hash().equals(baseHash)) {
			throw new RunbookRefused("Runbook '" + id + "' changed since you opened it (now version " + current.get().shortHash()
					+ "): nothing was saved. Open it again and redo your change on top.");
		}
		if (current.isPresent() && current.get().hash().equals(parsed.hash())) {
			throw new RunbookRefused("Nothing changed: version " + current.get().shortHash() + " is already this text.");
		}
		Path file = current.map((loaded) -> writable(loaded.file())
			.orElseThrow(() -> new RunbookRefused("'" + id + "' is built into the console (" + loaded.file() + "): change it in the "
					+ "repository — download the YAML and open a pull request.")))
			.orElseGet(() -> saveFolder().resolve(id + ".yaml"));
		if (current.isEmpty() && Files.exists(file)) {
			throw new RunbookRefused("A file " + file.getFileName() + " exists already in the runbooks folder: choose another id.");
		}
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".saving-", ".tmp");
			Files.writeString(temporary, source, StandardCharsets.UTF_8);
			Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new RunbookRefused("The runbooks folder cannot be written (" + ex.getMessage() + "): nothing was saved.");
		}
		reload(actor);
		return find(id).filter((loaded) -> loaded.hash().equals(parsed.hash()))
			.orElseThrow(() -> new RunbookRefused("Saved to " + file + ", but the console did not load it: see the runbooks page."));
	}

	/** What loading {@code source} would report: the editor's check, with the loader's own rules. */
	ParsedRunbook check(String source) {
		return this.parser.parse("editor", source);
	}

	/** The file behind a {@code file:} location, when the runbook came from one. */
	private static Optional<Path> writable(String loadedFrom) {
		return loadedFrom.startsWith("file:") ? Optional.of(Path.of(loadedFrom.substring("file:".length()))) : Optional.empty();
	}

	private Path saveFolder() {
		List<String> files = this.properties.locations().stream().filter((location) -> location.startsWith("file:")).toList();
		if (files.isEmpty()) {
			throw new RunbookRefused("No runbooks folder on disk is configured (backout.runbooks.locations has no file: location).");
		}
		return Path.of(files.get(files.size() - 1).substring("file:".length()));
	}

	public List<LoadedRunbook> runbooks() {
		return List.copyOf(this.snapshot.runbooks().values());
	}

	public Optional<LoadedRunbook> find(String id) {
		return Optional.ofNullable(this.snapshot.runbooks().get(id));
	}

	public LoadedRunbook get(String id) {
		return find(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No runbook " + id));
	}

	/** Every problem of the last reload, errors and warnings, file by file. */
	public List<RunbookProblem> problems() {
		return this.snapshot.problems();
	}

	public Instant loadedAt() {
		return this.snapshot.loadedAt();
	}

	public List<RunbookVersion> history(String id) {
		return this.versions.history(id);
	}

	/**
	 * A stored version, as an incident that pinned it runs it. Versions never change, so each is
	 * parsed once and kept.
	 */
	public Optional<Runbook> version(String id, String hash) {
		Runbook cached = this.parsedVersions.get(id + "@" + hash);
		if (cached != null) {
			return Optional.of(cached);
		}
		Optional<Runbook> parsed = this.versions.source(id, hash)
			.map((source) -> this.parser.parse(id + "@" + hash.substring(0, 12), source))
			.filter(ParsedRunbook::isValid)
			.map(ParsedRunbook::runbook);
		parsed.ifPresent((runbook) -> this.parsedVersions.put(id + "@" + hash, runbook));
		return parsed;
	}

	public RunbookDiff diff(String id, String fromHash, String toHash) {
		Map<String, RunbookVersion> byHash = new LinkedHashMap<>();
		history(id).forEach((version) -> byHash.put(version.hash(), version));
		RunbookVersion from = byHash.get(fromHash);
		RunbookVersion to = byHash.get(toHash);
		if (from == null || to == null) {
			throw new ResponseStatusException(HttpStatus.NOT_FOUND, "No such versions of runbook " + id);
		}
		return RunbookDiff.between(from, this.versions.source(id, fromHash).orElseThrow(), to,
				this.versions.source(id, toHash).orElseThrow());
	}

	private record Source(String file, String content) {
	}

	private List<Source> sources(List<RunbookProblem> problems) {
		List<Source> sources = new ArrayList<>();
		for (String location : this.properties.locations()) {
			String folder = location.endsWith("/") ? location : location + "/";
			try {
				List<Resource> files = new ArrayList<>();
				files.addAll(Arrays.asList(this.resources.getResources(folder + "*.yaml")));
				files.addAll(Arrays.asList(this.resources.getResources(folder + "*.yml")));
				files.sort(Comparator.comparing(Resource::getFilename));
				for (Resource file : files) {
					sources.add(new Source(folder + file.getFilename(), file.getContentAsString(StandardCharsets.UTF_8)));
				}
			}
			catch (IOException ex) {
				problems.add(new RunbookProblem(RunbookProblem.Severity.ERROR, folder, 0, 0,
						"Cannot read runbooks here: " + ex.getMessage()));
			}
		}
		return sources;
	}

	private static Map<String, LoadedRunbook> sorted(Map<String, LoadedRunbook> runbooks) {
		Map<String, LoadedRunbook> sorted = new LinkedHashMap<>();
		runbooks.values()
			.stream()
			.sorted(Comparator.comparing(LoadedRunbook::file))
			.forEach((loaded) -> sorted.put(loaded.id(), loaded));
		return Collections.unmodifiableMap(sorted);
	}

	private static AuditEntry entry(Authentication actor, String action, Map<String, ?> details) {
		return (actor != null) ? AuditEntry.by(actor, action, details) : AuditEntry.bySystem(action, details);
	}

}
