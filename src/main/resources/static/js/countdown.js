// Counts down to the incident's decision deadline (data-deadline, epoch ms). Strict CSP: no inline script.
document.querySelectorAll('.countdown-clock').forEach((clock) => {
  const deadline = Number(clock.dataset.deadline);
  const tick = () => {
    const left = Math.round((deadline - Date.now()) / 1000);
    const abs = Math.abs(left);
    const text = `${Math.floor(abs / 60)}:${String(abs % 60).padStart(2, '0')}`;
    clock.textContent = left >= 0 ? text : `overdue by ${text}`;
    clock.classList.toggle('overdue', left < 0);
  };
  tick();
  setInterval(tick, 1000);
});
