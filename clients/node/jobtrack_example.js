#!/usr/bin/env node
// A jobtrack client in Node.js: @grpc/grpc-js with @grpc/proto-loader, which
// reads the API's .proto files at run time (no generated code).
//
// Lists the tracks usable in a municipality, registers a jobseeker there,
// asks for track proposals with their explanation, and reads a follow-up
// report:
//
//   (cd clients/node && npm ci)
//   node clients/node/jobtrack_example.js --server 127.0.0.1:50051
//
// With TLS: --ca ca.pem, and a bearer token in $JOBTRACK_TOKEN or
// --token-file FILE.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

function parseArgs(argv) {
  const args = {server: '127.0.0.1:50051', municipality: '1480'};
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-/g, '_');
    args[key] = argv[i + 1];
  }
  return args;
}

// Calls `method` of `client` with `request`, as a promise.
function call(client, method, request, metadata) {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + 30000);
    client[method](request, metadata, {deadline}, (error, response) => {
      if (error) {
        reject(new Error(`${method}: ${grpc.status[error.code]}: ${error.details}`));
      } else {
        resolve(response);
      }
    });
  });
}

async function main() {
  const args = parseArgs(process.argv);
  const protoRoot = path.resolve(__dirname, '../../proto');
  const definition = protoLoader.loadSync(
      ['jobtrack/v1/track.proto', 'jobtrack/v1/participant.proto',
       'jobtrack/v1/matching.proto', 'jobtrack/v1/followup.proto'],
      {includeDirs: [protoRoot], keepCase: true, longs: Number,
       enums: String, defaults: true});
  const v1 = grpc.loadPackageDefinition(definition).jobtrack.v1;

  let token = process.env.JOBTRACK_TOKEN || '';
  if (args.token_file) token = fs.readFileSync(args.token_file, 'utf8').trim();
  const credentials = args.ca ?
      grpc.credentials.createSsl(fs.readFileSync(args.ca)) :
      grpc.credentials.createInsecure();
  const metadata = new grpc.Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);

  const tracks = new v1.TrackService(args.server, credentials);
  const listed = await call(tracks, 'ListTracks',
      {filter: `municipality = ${args.municipality}`}, metadata);
  console.log(`tracks in ${args.municipality}: ${listed.tracks.length}`);
  for (const t of listed.tracks) console.log(`  ${t.name}  ${t.display_name}`);

  const participants = new v1.ParticipantService(args.server, credentials);
  const person = await call(participants, 'CreateParticipant', {
    participant: {
      external_reference: 'node-example',
      birth_year: 1979,
      gender: 'MALE',
      municipality_code: args.municipality,
      education_level: 'UPPER_SECONDARY',
      swedish_level: 'SWEDISH_B1',
      driving_licence: true,
      ssyk_interests: ['8331'],
    },
    request_id: crypto.randomUUID(),
  }, metadata);
  console.log(`registered ${person.name}`);

  const matching = new v1.MatchingService(args.server, credentials);
  const proposals = await call(matching, 'ProposeTracks',
      {participant: person.name, limit: 3}, metadata);
  console.log(`proposals: ${proposals.proposals.length}`);
  for (const p of proposals.proposals) {
    const factors = p.factors
        .map((f) => `${f.factor}=${f.contribution.toFixed(2)}`).join(', ');
    console.log(`  ${p.track}  score ${p.score.toFixed(2)}  (${factors})`);
  }

  const followUp = new v1.FollowUpService(args.server, credentials);
  const report = await call(followUp, 'GetReport',
      {as_of: {year: 2025, month: 12, day: 31}}, metadata);
  console.log(`report as of 2025-12-31: ${report.figures.length} figures`);
  for (const f of report.figures) {
    if (f.id === 'participations.ended_this_year') {
      console.log(`  ${f.id} = ${f.numerator}`);
    }
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
