// Started as the project's program starts (program.js, program-start/).
"use strict";
module.exports = require("../../../../program-start").startProgram(require("path").join(__dirname, "index.ts"));
