// The network importers, registered with importers.ts when this module is loaded (the model
// builder imports it, so `network x = matpower("...")` and `opendss("...")` always find them).
import './matpower.js';
import { registerImporter } from './importers.js';
import { readOpenDss } from './opendss.js';

registerImporter('opendss', readOpenDss);

export { importNetwork } from './importers.js';
