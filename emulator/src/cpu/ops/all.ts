// Registers every op definition with the op table (import for side effects).
import './hotAlu';
import './hotCtl';
