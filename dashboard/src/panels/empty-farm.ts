// What the farm panel says before any collector has published (or none the key may see): why it
// is empty, and how to start a collector.
export const EMPTY_FARM_TEXT =
  'No collector has published yet (or none whose sites this key may see). Start one on the same Redis: ' +
  '`npm run collector` watches a simulated farm; `FARM_CONFIG=farm.yaml npm run collector` watches your ' +
  'license servers (README, “Collectors: watching a real license farm”).';
