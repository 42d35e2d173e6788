// Stands in for Node built-ins (fs, path, os, ...) that tfjs's ES modules import but never use in
// a browser.
export default {};
