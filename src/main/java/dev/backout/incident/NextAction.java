package dev.backout.incident;

/**
 * What the incident waits for now, and from whom: shown in the cockpit's bar, always on screen.
 *
 * @param who who must act (a person's name, the approver roles, or the console itself)
 * @param what what they must do, in words
 * @param form the id of the form on the page that does it, when one button does; the bar's
 * button submits that form ({@code <button form=…>})
 * @param label the button's label
 * @param yours whether the person looking at the page is the one who must act
 */
public record NextAction(String who, String what, String form, String label, boolean yours) {

	static NextAction wait(String who, String what, boolean yours) {
		return new NextAction(who, what, null, null, yours);
	}

	public boolean hasButton() {
		return this.form != null;
	}

}
