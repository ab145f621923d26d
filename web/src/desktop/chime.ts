/** A short two-tone chime made with Web Audio: no sound file to ship or to allow in the CSP. */
export function playChime(): void {
  try {
    const context = new AudioContext();
    const start = context.currentTime;
    for (const [index, frequency] of [880, 1320].entries()) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + index * 0.15);
      gain.gain.exponentialRampToValueAtTime(0.2, start + index * 0.15 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + index * 0.15 + 0.3);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start + index * 0.15);
      oscillator.stop(start + index * 0.15 + 0.32);
    }
    setTimeout(() => void context.close(), 1_000);
  } catch {
    // No audio device (or autoplay refused before any click): the title badge still shows the offer.
  }
}
