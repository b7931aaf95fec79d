export { createFakeHub, type FakeHub, type FakeHubRepository, type FakeHubRequest, type FakeHubSettings } from './fake-hub.js';
