'use client';
// The time-window picker: presets from 15 minutes to 7 days, or a custom from/to. It writes the
// URL (range= or from=&to=), which every page reads through useTimeWindow().
import { useEffect, useRef, useState } from 'react';
import { formatDateTime, fromDateTimeLocal, toDateTimeLocal } from './format.ts';
import { TIME_WINDOW_PRESETS, describeWindow, resolveTimeWindow } from './time-window.ts';
import { useTimeWindow } from './use-view-state.ts';

export function TimeWindowPicker() {
  const tw = useTimeWindow();
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const w = resolveTimeWindow(tw.spec, Date.now());
    setFrom(toDateTimeLocal(w.fromMs));
    setTo(toDateTimeLocal(w.toMs));
    setInvalid(null);
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open, tw.spec]);

  const applyCustom = () => {
    const f = fromDateTimeLocal(from);
    const t = fromDateTimeLocal(to);
    if (f === undefined || t === undefined) return setInvalid('Enter both times.');
    if (f >= t) return setInvalid('"From" must be before "to".');
    tw.setSpec({ kind: 'custom', fromMs: f, toMs: t });
    setOpen(false);
  };

  return (
    <div className="twp" ref={root}>
      <button type="button" className="btn twp-button" aria-haspopup="dialog" aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="time-window">
        <span className={tw.spec.kind === 'preset' ? 'live-dot' : 'live-dot paused'} aria-hidden="true" />
        {describeWindow(tw.spec, formatDateTime)}
        <span className="caret" aria-hidden="true">▾</span>
      </button>
      {open ? (
        <div className="twp-menu" role="dialog" aria-label="Time window">
          <div className="twp-presets">
            {TIME_WINDOW_PRESETS.map((p) => (
              <button
                key={p.id}
                type="button"
                className={tw.spec.kind === 'preset' && tw.spec.preset.id === p.id ? 'twp-item active' : 'twp-item'}
                onClick={() => {
                  tw.setSpec({ kind: 'preset', preset: p });
                  setOpen(false);
                }}
              >
                {p.label}
              </button>
            ))}
          </div>
          <div className="twp-custom">
            <div className="twp-custom-title">Custom range</div>
            <label>
              From
              <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
            </label>
            <label>
              To
              <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
            </label>
            {invalid ? <div className="twp-invalid">{invalid}</div> : null}
            <button type="button" className="btn btn-primary" onClick={applyCustom}>
              Apply
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
