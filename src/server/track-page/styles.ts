/** The tracking page's stylesheet, served as /track/assets/track.css (style-src 'self': no inline styles). */
export const TRACK_CSS = String.raw`
:root {
  color-scheme: light;
  --bg: #f4f6f8; --card: #fff; --ink: #17202a; --muted: #5d6b78; --line: #dde3e8;
  --accent: #1f6feb; --ok: #1a7f37; --warn: #b35900; --bad: #c62828;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 16px; line-height: 1.45; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; padding: 16px; min-height: 100vh; }
main { max-width: 560px; margin: 0 auto; background: var(--card); border-radius: 14px; padding: 20px 20px 8px; box-shadow: 0 1px 3px rgba(16, 24, 40, .08), 0 8px 24px rgba(16, 24, 40, .06); }
header { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 4px 12px; }
.eyebrow { margin: 0; color: var(--muted); font-size: .85rem; text-transform: uppercase; letter-spacing: .06em; width: 100%; }
h1 { margin: 0; font-size: 1.45rem; font-weight: 650; letter-spacing: .04em; font-variant-numeric: tabular-nums; word-break: break-all; }
h2 { margin: 24px 0 8px; font-size: 1rem; color: var(--muted); font-weight: 600; }
.live { margin: 0; font-size: .8rem; color: var(--muted); display: inline-flex; align-items: center; gap: 6px; }
.live::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #aab4be; }
.live[data-connection="live"]::before { background: var(--ok); animation: pulse 2s ease-in-out infinite; }
.live[data-connection="offline"]::before { background: var(--warn); }
.status { margin: 16px 0 4px; padding: 12px 14px; border-radius: 10px; font-size: 1.2rem; font-weight: 650; background: #e8f0fe; color: var(--accent); }
.status[data-status="DELIVERED"] { background: #e6f4ea; color: var(--ok); }
.status[data-status="FAILED_ATTEMPT"], .status[data-status="AT_PICKUP_POINT"] { background: #fff4e5; color: var(--warn); }
.status[data-status="EXCEPTION"], .status[data-status="RETURNED_TO_SENDER"] { background: #fdecea; color: var(--bad); }
dl { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 16px 0 0; }
dl div { border-top: 1px solid var(--line); padding-top: 8px; }
dt { font-size: .8rem; color: var(--muted); }
dd { margin: 2px 0 0; font-weight: 550; }
ol { list-style: none; margin: 0; padding: 0; }
.event { position: relative; padding: 0 0 16px 24px; }
.event::before { content: ""; position: absolute; left: 5px; top: 6px; width: 10px; height: 10px; border-radius: 50%; background: var(--card); border: 2px solid #aab4be; }
.event::after { content: ""; position: absolute; left: 10px; top: 20px; bottom: 0; width: 2px; background: var(--line); }
.event:last-child::after { display: none; }
.event.latest::before { border-color: var(--accent); background: var(--accent); }
.event.latest[data-status="DELIVERED"]::before { border-color: var(--ok); background: var(--ok); }
.event.new { animation: flash 1.6s ease-out; }
.event-head { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0 12px; }
.event time { color: var(--muted); font-size: .85rem; font-variant-numeric: tabular-nums; }
.event p { margin: 2px 0 0; color: var(--muted); font-size: .92rem; overflow-wrap: anywhere; }
.empty, .message { color: var(--muted); }
.notfound h1 { letter-spacing: 0; margin-bottom: 8px; }
.notfound .number { font-variant-numeric: tabular-nums; color: var(--muted); overflow-wrap: anywhere; }
noscript p { color: var(--muted); font-size: .9rem; }
@keyframes pulse { 50% { opacity: .35; } }
@keyframes flash { from { background: #fff8c5; } to { background: transparent; } }
@media (max-width: 420px) { body { padding: 0; } main { border-radius: 0; min-height: 100vh; box-shadow: none; } }
@media (prefers-reduced-motion: reduce) { .live::before, .event.new { animation: none !important; } }
`;
