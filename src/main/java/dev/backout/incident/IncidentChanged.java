package dev.backout.incident;

/**
 * The incident changed since the page was loaded (another tab, person or console acted first).
 */
public class IncidentChanged extends IncidentRefused {

	public IncidentChanged(long id) {
		super("Incident " + id + " changed since you loaded it (another tab or person acted first). "
				+ "Nothing was done twice: look at its current state and try again if still needed.");
	}

}
