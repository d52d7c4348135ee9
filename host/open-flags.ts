// open(2) flags node:fs lacks: its constants have no O_CLOEXEC on Node (libuv adds it itself),
// while Bun's do; both pass the bits through to open(2). Linux's values.
export const O_CLOEXEC = 0o2000000;
