// The web console in a real browser (issue 14; the names and test ids are contract.md section 3).
// Run by run.sh, which starts castor, makes the keys and seeds "bulk" and "xss". The steps run in
// this order in one browser tab and build on each other (the files uploaded in step 2 are opened,
// downloaded and deleted later); harness.mjs holds the tab, the shared helpers and the checks
// made after every step (no CSP violation, no uncaught error).
import './harness.mjs';
import './steps-objects.mjs';
import './steps-browse.mjs';
import './steps-admin.mjs';
import './steps-headers.mjs';
