// Next.js's ambient types, committed so `npm run typecheck` works on a fresh clone before any
// `next build` has generated next-env.d.ts (which is git-ignored because it is regenerated).
/// <reference types="next" />
/// <reference types="next/image-types/global" />
