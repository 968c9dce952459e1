// Ticks the incident's clocks: the decision deadline (data-deadline, counts down) and the time
// since it opened (data-since, counts up until data-until). Clocks are looked up on every tick, so
// the ones a live refresh swaps in tick too. Strict CSP: no inline script.
(() => {
  const format = (seconds) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  const tick = () => {
    document.querySelectorAll('.countdown-clock').forEach((clock) => {
      const left = Math.round((Number(clock.dataset.deadline) - Date.now()) / 1000);
      clock.textContent = left >= 0 ? format(left) : `overdue by ${format(-left)}`;
      clock.classList.toggle('overdue', left < 0);
    });
    document.querySelectorAll('.elapsed-clock').forEach((clock) => {
      const end = clock.dataset.until ? Number(clock.dataset.until) : Date.now();
      clock.textContent = format(Math.max(0, Math.round((end - Number(clock.dataset.since)) / 1000)));
    });
  };
  tick();
  setInterval(tick, 1000);
})();
