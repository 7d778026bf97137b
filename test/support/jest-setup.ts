// Runs before each test file (jest.config.cjs setupFiles): every file gets its own module registry,
// so the SDK's once-per-process Node-version warning would otherwise print once per file.
import { quietSdkNodeVersionWarning } from '../../cli/node-warning';

quietSdkNodeVersionWarning();
