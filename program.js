// What Pulumi runs (package.json "main"; Pulumi.yaml's runtime registers no ts-node): index.ts,
// started more cheaply than Pulumi starts a TypeScript program (program-start/).
"use strict";
module.exports = require("./program-start").startProgram(require("path").join(__dirname, "index.ts"));
